"""Thin views: fetch what the person may see (404 otherwise), call one service, redirect.

One module per sub-area of plan 4402/KH-ĐHM; `dialogue/urls.py` is the table of contents.
"""
