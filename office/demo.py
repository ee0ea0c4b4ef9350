"""Demo data of the directory, from the seed documents.

- Seed 000, verbatim: the SoICT Office (Văn phòng Trường), its head, deputies and assistant with
  their titles, address, telephone, e-mail, duties, its 4 sections and assignments 2.1–2.4.
  The documents give no dates, so the assignments start "before our records" (no start date).
- Seed 004: the Trung tâm Mạng Thông tin (MTT), its office and technical section, the posts the
  procedure names (the document names nobody: the demo log-ins hold those posts).
- Seed 003: Trường Đại học Mở Hà Nội, the units of section IV and the training units it names.
- The demo log-ins of portal/demo.py are linked to people in the units contracts.md lists.

Stable unit codes (other apps' demo data refers to them) are listed in office/README.md.
Running it twice changes nothing; it never overwrites what an administrator edited.
"""

from . import services
from .models import Assignment, Person, Position, Relation, Unit, UnitDuty
from .models import UnitKind as K

# Seed 000's English rendering of the Office's description (its Vietnamese glosses left out).
SOICT_OFFICE_DESCRIPTION_EN = (
    "The School Office is tasked with advising and assisting the Leadership Board on centralised "
    "administrative management, and with organising the general support duties for the whole "
    "School. Specifically:"
)

# code, parent code, kind, name (vi), name (en), short name, order, extra fields
UNITS = [
    # --- HUST (seeds 000 and 004) ---
    ("hust", None, K.UNIVERSITY, "Đại học Bách khoa Hà Nội",
     "Hanoi University of Science and Technology", "ĐHBKHN", 1, {}),
    ("soict", "hust", K.SCHOOL, "Trường Công nghệ Thông tin và Truyền thông",
     "School of Information and Communication Technology", "SoICT", 1, {}),
    ("soict-office", "soict", K.OFFICE, "Văn phòng Trường", "SoICT Office", "VP Trường", 1, {
        "address": "P505, nhà B1, trường Đại học Bách khoa Hà Nội",
        "phone": "+84 (0)24 8692463",
        "email": "vp@soict.hust.edu.vn",
        "description": (
            "Văn phòng Trường có nhiệm vụ tham mưu và giúp việc cho Ban Giám hiệu trong quản lý "
            "hành chính tập trung và tổ chức thực hiện nhiệm vụ hỗ trợ chung toàn Trường, cụ thể:"
        ),
        "description_en": SOICT_OFFICE_DESCRIPTION_EN,
    }),
    ("soict-giaovu", "soict-office", K.SECTION, "Bộ phận Giáo vụ",
     "Academic Affairs section", "Giáo vụ", 1, {}),
    ("soict-hcth", "soict-office", K.SECTION,
     "Bộ phận Hành chính – Tổng hợp, Truyền thông, Tuyển sinh & Hợp tác Doanh nghiệp",
     "Administration – General Affairs, Communications, Admissions & Industry Partnerships "
     "section", "HC–TH, TT, TS & HTDN", 2, {}),
    ("soict-hanh-chinh", "soict-hcth", K.AREA, "Hành chính – Tổng hợp",
     "Administration – General Affairs", "", 1, {}),
    ("soict-truyen-thong", "soict-hcth", K.AREA, "Truyền thông", "Communications", "", 2, {}),
    ("soict-tuyen-sinh", "soict-hcth", K.AREA, "Tuyển sinh & Hợp tác Doanh nghiệp",
     "Admissions & Industry Partnerships", "", 3, {}),
    ("soict-khcn-htqt", "soict-office", K.SECTION, "Bộ phận Khoa học Công nghệ & Hợp tác Quốc tế",
     "Science & Technology and International Cooperation section", "KHCN & HTQT", 3, {}),
    ("soict-khcn", "soict-khcn-htqt", K.AREA, "Khoa học Công nghệ", "Science & Technology", "",
     1, {}),
    ("soict-htqt", "soict-khcn-htqt", K.AREA, "Hợp tác Quốc tế", "International Cooperation", "",
     2, {}),
    # The source ends this section's name with a colon and nothing after it.
    ("soict-tckt-csvc", "soict-office", K.SECTION, "Bộ phận Tài chính & Kế toán, và Cơ sở vật chất",
     "Finance & Accounting, and Facilities section", "TC–KT & CSVC", 4, {}),
    ("soict-tai-chinh", "soict-tckt-csvc", K.AREA, "Tài chính & Kế toán", "Finance & Accounting",
     "", 1, {}),
    ("soict-csvc", "soict-tckt-csvc", K.AREA, "Cơ sở vật chất", "Facilities", "", 2, {}),
    ("mtt", "hust", K.CENTRE, "Trung tâm Mạng Thông tin", "Network Information Centre", "MTT", 2,
     {"website": "https://bknic.hust.edu.vn"}),
    ("mtt-office", "mtt", K.OFFICE, "Văn phòng MTT", "MTT Office", "VP MTT", 1,
     {"email": "office-bknic@hust.edu.vn"}),
    ("mtt-technical", "mtt", K.SECTION, "Bộ phận kỹ thuật", "Technical section", "", 2, {}),
    # Units for the account forms (contracts.md); not named by the seeds.
    ("hust-seee", "hust", K.SCHOOL, "Trường Điện – Điện tử",
     "School of Electrical and Electronic Engineering", "SEEE", 3, {}),
    ("hust-sme", "hust", K.SCHOOL, "Trường Cơ khí", "School of Mechanical Engineering", "SME", 4,
     {}),
    ("hust-fami", "hust", K.FACULTY, "Khoa Toán – Tin", "Faculty of Mathematics and Informatics",
     "FAMI", 5, {}),
    ("hust-sem", "hust", K.SCHOOL, "Trường Kinh tế", "School of Economics and Management", "SEM",
     6, {}),
    ("hust-tccb", "hust", K.DEPARTMENT, "Ban Tổ chức cán bộ", "Personnel Organisation Department",
     "TCCB", 7, {}),
    # --- HOU (seed 003) ---
    ("hou", None, K.UNIVERSITY, "Trường Đại học Mở Hà Nội", "Hanoi Open University", "ĐHM", 2, {}),
    ("hou-danguy", "hou", K.PARTY, "Đảng uỷ", "Party Committee", "", 1, {}),
    ("hou-bgh", "hou", K.BOARD, "Ban Giám hiệu", "Leadership Board", "BGH", 2, {}),
    ("hou-ctctsv", "hou", K.DEPARTMENT, "Phòng Công tác chính trị và sinh viên",
     "Department of Political Work and Student Affairs", "P. CTCT&SV", 10,
     {"email": "ctsv@hou.edu.vn"}),
    ("hou-qtcsvc", "hou", K.DEPARTMENT, "Phòng Quản trị Cơ sở vật chất",
     "Department of Facilities Management", "", 11, {}),
    ("hou-qldt", "hou", K.DEPARTMENT, "Phòng Quản lý Đào tạo",
     "Department of Training Management", "", 12, {}),
    ("hou-khdn", "hou", K.DEPARTMENT, "Phòng Quản lý khoa học và Đối ngoại",
     "Department of Science Management and External Relations", "", 13, {}),
    ("hou-ktqlcl", "hou", K.DEPARTMENT, "Phòng Khảo thí và Quản lý chất lượng",
     "Department of Testing and Quality Management", "", 14, {}),
    ("hou-khtc", "hou", K.DEPARTMENT, "Phòng Kế hoạch - Tài chính",
     "Department of Planning and Finance", "", 15, {}),
    ("hou-thanhtra", "hou", K.DEPARTMENT, "Phòng Thanh tra", "Inspection Department", "", 16, {}),
    ("hou-ttcnkts", "hou", K.CENTRE, "Trung tâm Công nghệ Kỹ thuật số",
     "Digital Technology Centre", "", 17, {}),
    ("hou-tttts", "hou", K.CENTRE, "Trung tâm Truyền thông và Tuyển sinh",
     "Communications and Admissions Centre", "", 18, {}),
    ("hou-thuvien", "hou", K.LIBRARY, "Thư viện", "Library", "", 19, {}),
    ("hou-doan", "hou", K.ORGANISATION, "Đoàn Thanh niên", "Youth Union", "", 20, {}),
    ("hou-hsv", "hou", K.ORGANISATION, "Hội Sinh viên", "Students' Association", "", 21, {}),
    ("hou-congdoan", "hou", K.ORGANISATION, "Công đoàn", "Trade Union", "", 22, {}),
    ("hou-cntt", "hou", K.FACULTY, "Khoa Công nghệ Thông tin", "Faculty of Information Technology",
     "", 30, {}),
    ("hou-ktqt", "hou", K.FACULTY, "Khoa Kinh tế", "Faculty of Economics", "", 31, {}),
    ("hou-dtttx", "hou", K.FACULTY, "Khoa Đào tạo Từ xa", "Faculty of Distance Education", "", 32,
     {}),
    ("hou-ttdttt", "hou", K.CENTRE, "Trung tâm Đào tạo Trực tuyến", "Online Training Centre", "",
     33, {}),
    ("hou-danang", "hou", K.CENTRE, "Trung tâm Đại học Mở tại Đà Nẵng",
     "Open University Centre in Đà Nẵng", "", 34, {}),
]  # fmt: skip

# Seed 000: the Office's duties ("cụ thể:"), in order.
OFFICE_DUTIES = [
    (
        "Xây dựng kế hoạch công tác; hướng dẫn, hỗ trợ và phối hợp với các đơn vị trong Trường "
        "thực hiện nhiệm vụ theo kế hoạch công tác, đảm bảo chất lượng, hiệu quả và đúng quy định;",
        "Drawing up work plans; guiding, supporting and working with the units in the School to "
        "carry out their tasks according to the work plan, ensuring quality, efficiency and "
        "compliance with regulations;",
    ),
    (
        "Theo dõi và giải quyết công việc nghiệp vụ, đề xuất các giải pháp tháo gỡ khó khăn, đảm "
        "bảo kỷ cương, nâng cao chất lượng và hiệu quả công việc;",
        "Following up and handling professional (operational) matters, proposing solutions to "
        "remove difficulties, ensuring discipline, and improving the quality and efficiency of "
        "work;",
    ),
    (
        "Tham mưu cho Ban Giám hiệu và thực hiện các công tác theo quy chế tổ chức hoạt động của "
        "Trường;",
        "Advising the Leadership Board and carrying out tasks in accordance with the School's "
        "regulations on organisation and operation;",
    ),
    (
        "Hướng dẫn, hỗ trợ tốt nhất cho cán bộ, người học trong các công việc liên quan, thực "
        "hiện đầy đủ trách nhiệm đối với cộng đồng và xã hội;",
        "Providing the best possible guidance and support to staff and learners in related "
        "matters, and fully discharging responsibilities towards the community and society;",
    ),
]

# Seed 004, step table: what each part of the MTT does in procedure MTT.QT06.
MTT_DUTIES = {
    "mtt": [
        (
            "Quản lý, vận hành Hệ thống tài khoản điện tử của Trường Đại học Bách Khoa Hà Nội.",
            "Manages and operates the electronic account system of Hanoi University of Science "
            "and Technology.",
        )
    ],
    "mtt-office": [
        (
            "Tiếp nhận phiếu đăng ký cấp TKĐT/cấp lại mật khẩu TKĐT và kiểm tra thông tin đăng ký "
            "(MTT.QT06, bước 3).",
            "Receives the forms for issuing an e-mail account or re-issuing its password and "
            "checks the registration (MTT.QT06, step 3).",
        ),
        (
            "Thông báo kết quả tới người sử dụng qua email; lưu hồ sơ.",
            "Notifies the user of the result by e-mail; keeps the records.",
        ),
        (
            "Tổng hợp, báo cáo kết quả (MTT.QT06.BM03).",
            "Compiles and reports the results (MTT.QT06.BM03).",
        ),
    ],
    "mtt-technical": [
        (
            "Cấp TKĐT/ Cấp lại mật khẩu TKĐT (MTT.QT06, bước 4).",
            "Issues the e-mail account / re-issues its password (MTT.QT06, step 4).",
        ),
        (
            "Cập nhật dữ liệu hệ thống TKĐT vào file điện tử CreateEmailHUST-log.",
            "Updates the account system data in the electronic file CreateEmailHUST-log.",
        ),
    ],
}

# unit code, name (vi), name (en), leadership, order
POSITIONS = [
    ("soict-office", "Trưởng Văn phòng", "Head of Office", True, 1),
    ("soict-office", "Phó Trưởng Văn phòng", "Deputy Head of Office", True, 2),
    ("soict-office", "Trợ lý Trưởng Văn phòng phụ trách bộ phận Giáo vụ",
     "Assistant to the Head of Office in charge of the Giáo vụ section", False, 3),
    ("soict-office", "Cán bộ Văn phòng", "Office staff member", False, 9),
    ("mtt", "Giám đốc", "Director", True, 1),
    ("mtt", "Phó giám đốc", "Deputy Director", True, 2),
    ("mtt-office", "Phụ trách Văn phòng MTT", "Head of the MTT Office", True, 1),
    ("mtt-office", "CB Văn phòng MTT", "MTT Office staff member", False, 2),
    ("mtt-technical", "Cán bộ kỹ thuật MTT", "MTT technician", False, 1),
    ("mtt-technical", "Cán bộ quản lý TKĐT", "Account manager", False, 2),
    ("hou-bgh", "Hiệu trưởng", "Rector", True, 1),
    ("hou-bgh", "Phó Hiệu trưởng", "Vice-Rector", True, 2),
    ("hou-bgh", "Lãnh đạo Nhà trường", "University leadership", True, 3),
    ("hou-ctctsv", "Chuyên viên", "Specialist", False, 5),
    ("hou-khtc", "Chuyên viên", "Specialist", False, 5),
    ("hou-cntt", "Lãnh đạo Khoa", "Faculty leadership", True, 1),
    ("hou-cntt", "Giáo vụ Khoa", "Faculty academic affairs", False, 5),
    ("hou-cntt", "Sinh viên", "Student", False, 9),
]  # fmt: skip

# Seed 000, assignments 2.1–2.4. (title, name, position, order, general duties, in charge, monitors)
# A general duty is (vi, en, unit code it concerns).
OFFICE_STAFF = [
    ("TS.", "Lê Xuân Thành", "Trưởng Văn phòng", 1,
     [("Phụ trách chung", "In overall charge", "soict-office")],
     ["soict-tckt-csvc", "soict-tuyen-sinh"], []),
    ("TS.", "Nguyễn Thị Thanh Nga", "Phó Trưởng Văn phòng", 2,
     [("Hỗ trợ Trưởng Văn phòng điều hành công việc hàng ngày",
       "Supports the Head of Office in running day-to-day work", "soict-office")],
     ["soict-hanh-chinh", "soict-truyen-thong"], ["soict-giaovu"]),
    ("TS.", "Trịnh Thành Trung", "Phó Trưởng Văn phòng", 3,
     [("Hỗ trợ Trưởng Văn phòng điều hành công việc hàng ngày",
       "Supports the Head of Office in running day-to-day work", "soict-office")],
     ["soict-truyen-thong", "soict-khcn-htqt"], []),
    ("KS.", "Nguyễn Thanh Nguyệt", "Trợ lý Trưởng Văn phòng phụ trách bộ phận Giáo vụ", 4,
     [("Điều hành công việc hàng ngày thuộc bộ phận Giáo vụ",
       "Runs the day-to-day work of the Giáo vụ section", "soict-giaovu")],
     [], []),
]  # fmt: skip

# Seed 003 names the Vice-Rector who signed the plan.
OTHER_PEOPLE = [("", "Nguyễn Minh Phương", "hou-bgh", "Phó Hiệu trưởng", 1)]

# demo username → (unit code, position) (contracts.md)
DEMO_LINKS = {
    "mtt_head": ("mtt-office", "Phụ trách Văn phòng MTT"),
    "mtt_office": ("mtt-office", "CB Văn phòng MTT"),
    "mtt_technician": ("mtt-technical", "Cán bộ kỹ thuật MTT"),
    "mtt_manager": ("mtt-technical", "Cán bộ quản lý TKĐT"),
    "directory_admin": ("soict-office", "Cán bộ Văn phòng"),
    "committee": ("hou-ctctsv", "Chuyên viên"),
    "responder": ("hou-khtc", "Chuyên viên"),
    "unit_leader": ("hou-cntt", "Lãnh đạo Khoa"),
    "unit_staff": ("hou-cntt", "Giáo vụ Khoa"),
    "leader": ("hou-bgh", "Lãnh đạo Nhà trường"),
    "learner": ("hou-cntt", "Sinh viên"),
}
DEMO_NOTE = "Tài khoản minh hoạ (demo)"


def _ensure_assignment(person, relation, unit, position=None, duty="", duty_en="", order=0):
    exists = Assignment.objects.filter(
        person=person, relation=relation, unit=unit, position=position, duty=duty
    ).exists()
    if not exists:
        services.assign(
            actor=None,
            person=person,
            relation=relation,
            unit=unit,
            position=position,
            duty=duty,
            duty_en=duty_en,
            order=order,
        )


def _ensure_person(title, full_name, **fields):
    person = Person.objects.filter(full_name=full_name, user__isnull=True).first()
    if person is None:
        person = services.create_person(actor=None, title=title, full_name=full_name, **fields)
    return person


def load(stdout=None):
    from django.contrib.auth import get_user_model

    units = {}
    created = 0
    for code, parent, kind, name, name_en, short, order, extra in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = services.create_unit(
                actor=None,
                parent=units[parent] if parent else None,
                kind=kind,
                code=code,
                name=name,
                name_en=name_en,
                short_name=short,
                order=order,
                **extra,
            )
            created += 1
        units[code] = unit

    for code, duties in [("soict-office", OFFICE_DUTIES), *MTT_DUTIES.items()]:
        if not UnitDuty.objects.filter(unit=units[code]).exists():
            for i, (text, text_en) in enumerate(duties, start=1):
                services.add_unit_duty(
                    actor=None, unit=units[code], text=text, text_en=text_en, order=i
                )

    positions = {}
    for code, name, name_en, leadership, order in POSITIONS:
        position = Position.objects.filter(unit=units[code], name=name).first()
        if position is None:
            position = services.create_position(
                actor=None,
                unit=units[code],
                name=name,
                name_en=name_en,
                is_leadership=leadership,
                order=order,
            )
        positions[code, name] = position

    for title, name, post, order, generals, in_charge, monitors in OFFICE_STAFF:
        person = _ensure_person(title, name)
        _ensure_assignment(
            person,
            Relation.POSITION,
            units["soict-office"],
            positions["soict-office", post],
            order=order,
        )
        for i, (duty, duty_en, code) in enumerate(generals, start=1):
            _ensure_assignment(person, Relation.GENERAL, units[code], duty=duty, duty_en=duty_en,
                               order=order * 10 + i)  # fmt: skip
        for i, code in enumerate(in_charge, start=1):
            _ensure_assignment(person, Relation.IN_CHARGE, units[code], order=order * 10 + i)
        for i, code in enumerate(monitors, start=1):
            _ensure_assignment(person, Relation.MONITORS, units[code], order=order * 10 + i)

    for title, name, code, post, order in OTHER_PEOPLE:
        person = _ensure_person(title, name)
        _ensure_assignment(
            person, Relation.POSITION, units[code], positions[code, post], order=order
        )

    User = get_user_model()
    for username, (code, post) in DEMO_LINKS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = services.create_person(
                actor=None,
                full_name=user.full_name or user.username,
                user=user,
                email=user.email,
                note=DEMO_NOTE,
            )
        _ensure_assignment(person, Relation.POSITION, units[code], positions[code, post])

    if stdout:
        stdout.write(f"  office: {created} units created, {Unit.objects.count()} in the directory")
