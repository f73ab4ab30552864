from flask import Blueprint

blueprint = Blueprint("support_groups", __name__, url_prefix="/manage")
