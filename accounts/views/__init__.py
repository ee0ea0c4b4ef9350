"""Views of procedure MTT.QT06, one module per part of the procedure; `accounts/urls.py` is the
table of contents.
"""
