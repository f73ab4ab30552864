from flask import Blueprint

blueprint = Blueprint("organisations", __name__)
