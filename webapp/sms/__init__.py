"""Cek Bansos by SMS (issue 20): Kannel's sms-service posts each SMS from a
phone to /sms/masuk; the answer (CEK <NIK>, STATUS <no. usulan> <ddmmyyyy>,
BANTUAN) is the HTTP reply, which Kannel sends back to the phone."""

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")
