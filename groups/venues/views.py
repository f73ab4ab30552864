from flask import Blueprint

blueprint = Blueprint("venues", __name__, url_prefix="/manage")
