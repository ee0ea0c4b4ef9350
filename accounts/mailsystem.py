"""The technicians' bulk-upload file, in the documented column layout of the mail system the
university runs (settings.ACCOUNTS_MAIL_SYSTEM):

- "google": Google Workspace Admin console, Users → Bulk update users (CSV template columns);
- "microsoft": Microsoft Entra ID, Users → Bulk operations → Bulk create (its template starts
  with a "version:v1.0" line, then the headers with their attribute names).

Given name and surname go in the mail system's own fields with their diacritics; only the
address is written without them.
"""

import io

from django.conf import settings

from portal.exports import csv_writer

from .models import AccountRequest

GOOGLE_HEADER = [
    "First Name [Required]",
    "Last Name [Required]",
    "Email Address [Required]",
    "Password [Required]",
    "Org Unit Path [Required]",
    "Recovery Email",
    "Recovery Phone [MUST BE IN THE E.164 FORMAT]",
    "Employee ID",
    "Department",
    "Change Password at Next Sign-In",
]
MICROSOFT_HEADER = [
    "Name [displayName] Required",
    "User name [userPrincipalName] Required",
    "Initial password [passwordProfile] Required",
    "Block sign in (Yes/No) [accountEnabled] Required",
    "First name [givenName]",
    "Last name [surname]",
    "Job title [jobTitle]",
    "Department [department]",
    "Usage location [usageLocation]",
    "Mobile phone [mobile]",
]


def _org_unit(req: AccountRequest) -> str:
    base = "/Students" if req.person_kind == "student" else "/Staff"
    return f"{base}/{req.unit_code}" if req.unit_code else base


def rows_for(rows: list[tuple[AccountRequest, str, str]], system: str | None = None):
    system = system or settings.ACCOUNTS_MAIL_SYSTEM
    if system == "microsoft":
        yield ["version:v1.0"]
        yield MICROSOFT_HEADER
        for req, address, password in rows:
            yield [
                req.full_name,
                address,
                password,
                "No",
                req.given_name,
                req.family_and_middle_names,
                "Student" if req.person_kind == "student" else "Staff",
                req.unit_name,
                "VN",
                req.mobile_phone,
            ]
        return
    yield GOOGLE_HEADER
    for req, address, password in rows:
        yield [
            req.given_name,
            req.family_and_middle_names,
            address,
            password,
            _org_unit(req),
            req.contact_email,
            req.mobile_phone,
            req.person_id,
            req.unit_name,
            "True",
        ]


def csv_bytes(rows, system=None) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    for row in rows_for(rows, system):
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
