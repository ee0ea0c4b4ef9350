"""Requests that arrive by e-mail (MTT.QT06 step 2, issue 18).

`parse` turns one RFC 5322 message into fields with their sources, `services` turns it into a
draft request (or an intake-log outcome), `mailbox` reads an IMAP mailbox or a folder of .eml.
"""
