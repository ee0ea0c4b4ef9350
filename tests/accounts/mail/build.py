"""Messages in the shape Gmail and Outlook send them, built with the email package.

Vietnamese subjects are RFC 2047-encoded and attachment names RFC 2231-encoded by the email
package's default policy, as both clients do. The BM01/BM02 .docx has the printable form's shape:
its title, then a two-column table of printed labels and filled-in values.
"""

import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import docx

DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")

BM02_ROWS = [
    ("Họ và đệm", "Trần Thị"),
    ("Tên", "Bình"),
    ("Ngày sinh", "15/03/2005"),
    ("Mã số sinh viên", "20231234"),
    ("Khoa / Trường / Viện", "Trường Công nghệ Thông tin và Truyền thông"),
    ("Lớp", "CNTT-01"),
    ("Khóa", "K68"),
    ("Số điện thoại di động", "0912 345 678"),
]


def bm_docx(rows=BM02_ROWS, title="ĐƠN ĐỀ NGHỊ CẤP TÀI KHOẢN THƯ ĐIỆN TỬ CHO SINH VIÊN") -> bytes:
    document = docx.Document()
    document.add_paragraph("MTT.QT06.BM02")
    document.add_heading(title, level=1)
    document.add_paragraph("Yêu cầu: Cấp TKĐT")
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (ASCII; Helvetica)."""
    stream = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(
        "(" + line.replace("(", r"\(").replace(")", r"\)") + ") '" for line in lines
    )
    stream += " ET"
    return _pdf(stream.encode("latin-1"), font=True)


def scan_pdf() -> bytes:
    """A PDF with a page and no text at all (what a scanner without OCR makes, minus the image)."""
    return _pdf(b"0.9 g 0 0 595 842 re f", font=False)


def form_pdf(fields: dict[str, str]) -> bytes:
    """A fillable PDF form (AcroForm) whose text fields, named by the printed labels, are filled
    in; names and values in UTF-16 so Vietnamese survives, as Acrobat writes them."""
    return _pdf(b"", font=False, fields=fields)


def _utf16(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _pdf(stream: bytes, font: bool, fields: dict | None = None) -> bytes:
    resources = b"<< /Font << /F1 5 0 R >> >>" if font else b"<< >>"
    refs = b" ".join(f"{6 + n} 0 R".encode() for n in range(len(fields or {})))
    acroform = b" /AcroForm << /Fields [" + refs + b"] >>" if fields else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + acroform + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
        + resources
        + b" >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for name, value in (fields or {}).items():
        objects.append(b"<< /FT /Tx /T " + _utf16(name) + b" /V " + _utf16(value) + b" >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def message(
    *,
    sender="Trần Thị Bình <binh.tt@gmail.com>",
    subject="Đơn đề nghị cấp tài khoản thư điện tử",
    body="Kính gửi Văn phòng MTT,\nEm gửi đơn đính kèm.\n",
    attachments=(),
    client="gmail",
    headers=None,
    date=None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Văn phòng MTT <mtt@hust.edu.vn>"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="mail.gmail.com" if client == "gmail" else "outlook.com")
    if date is not None:
        msg["Date"] = format_datetime(date)
        msg["Received"] = f"from mx.hust.edu.vn by imap.hust.edu.vn; {format_datetime(date)}"
    if client == "outlook":
        msg["X-Mailer"] = "Microsoft Outlook 16.0"
        msg["Thread-Index"] = "AQHa1b2c3d4e5f6g7h8i9j0k"
        msg["Content-Language"] = "vi-VN"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    html = '<div dir="ltr">' + body.replace("\n", "<br>") + "</div>"
    msg.add_alternative(html, subtype="html")
    for file_name, content, (maintype, subtype) in attachments:
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=file_name)
    return msg.as_bytes()
