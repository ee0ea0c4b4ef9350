"""Plan 4402/KH-ĐHM (seed 003), verbatim from the Vietnamese original.

The Vietnamese text is the document and is kept exactly as written, including its
irregularities ("nhà nghiên cứu sinh", "Phòng Công tác Công tác chính trị và sinh viên",
"17/3/2024" next to "17/03/2024"). The English columns are the seed's English rendering.
"""

import json
from datetime import date
from pathlib import Path

NUMBER = "4402/KH-ĐHM"
ISSUED_ON = date(2023, 12, 4)
ACADEMIC_YEAR = "2023 - 2024"
TITLE = (
    "Tổ chức đối thoại giữa lãnh đạo nhà trường với nhà nghiên cứu sinh, học viên và sinh viên "
    "năm học 2023 - 2024"
)
TITLE_EN = (
    "Organising a dialogue between the university's leadership and doctoral candidates, "
    "master's students and students, academic year 2023 - 2024"
)
PREAMBLE = (
    "Thực hiện tinh thần Nghị quyết Hội nghị Trung ương 8 khóa XI về đổi mới căn bản, toàn diện "
    "giáo dục và đào tạo; Căn cứ kế hoạch công tác năm học 2023-2024, nhằm mục đích tạo kênh "
    "thông tin và diễn đàn trao đổi giữa lãnh đạo nhà trường với nghiên cứu sinh, học viên và "
    "sinh viên (sau đây gọi tắt là người học), đồng thời giúp nhà trường kịp thời nắm bắt tâm tư, "
    "nguyện vọng của người học, Trường Đại học Mở Hà Nội tổ chức chương trình đối thoại giữa lãnh "
    "đạo nhà trường với nghiên cứu sinh, học viên và sinh viên năm học 2023-2024, cụ thể như sau:"
)
PURPOSES = [
    "Thực hiện quy chế dân chủ trong hoạt động, góp phần thực hiện tốt quy định tổ chức và quản "
    "lý của Trường Đại học Mở Hà Nội;",
    "Tổng kết, đánh giá những công việc đã làm được và những tồn tại trong công tác quản lý, đào "
    "tạo, công tác sinh viên của Nhà trường, qua đó góp ý đề công tác quản lý, đào tạo, phục vụ "
    "người học được tốt hơn;",
    "Tạo kênh thông tin, diễn đàn trao đổi giữa lãnh đạo nhà trường với người học, giúp nhà "
    "trường kịp thời nắm bắt được diễn biến tư tưởng và những mối quan tâm của người học;",
    "Thể hiện sự quan tâm sâu sắc của lãnh đạo nhà trường với người học.",
]
ORGANISATION = (
    "Tổ chức đối thoại giữa lãnh đạo nhà trường với người học bằng hình thức trực tiếp, được phân "
    "cấp từ cấp cơ sở lên cấp trường, bầu chọn đại biểu tham dự đối thoại cấp trên."
)
REQUIREMENTS = (
    "Trên đây là Kế hoạch tổ chức chương trình đối thoại giữa lãnh đạo nhà trường với người học "
    "năm học 2023 - 2024. Yêu cầu các đơn vị nghiêm túc triển khai thực hiện."
)
GRASSROOTS = (date(2023, 12, 18), date(2024, 3, 17))  # 1.1. Từ ngày 18/12/2023 – 17/03/2024
RECIPIENTS = [
    "Đảng uỷ, BGH (để chỉ đạo);",
    "Các đơn vị liên quan (để thực hiện);",
    "Lưu VT, P. CTCT&SV.",
]
SIGNER_TITLE = "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG"
SIGNER_NAME = "Nguyễn Minh Phương"

# The seed's English rendering of the same parts (its Vietnamese glosses left out).
PREAMBLE_EN = (
    "This plan implements the spirit of the Resolution of the 8th Plenum of the 11th Party "
    "Central Committee on the fundamental and comprehensive renewal of education and training, "
    "and is based on the work plan for the 2023-2024 academic year. Its purpose is to create an "
    "information channel and a forum for exchange between the university's leadership and "
    "doctoral candidates, master's students and students (hereinafter referred to as learners), "
    "and at the same time to help the University promptly understand learners' thoughts and "
    "aspirations. To that end, Hanoi Open University organises a programme of dialogue between "
    "the university's leadership and doctoral candidates, master's students and students for "
    "the 2023-2024 academic year, as follows:"
)
PURPOSES_EN = [
    "To implement the regulations on democracy in the University's activities, helping to "
    "implement properly the regulations on the organisation and management of Hanoi Open "
    "University;",
    "To review and evaluate what has been achieved and the remaining shortcomings in the "
    "University's management, training and student-affairs work, and thereby to contribute "
    "ideas so that management, training and service to learners become better;",
    "To create an information channel and a forum for exchange between the university's "
    "leadership and learners, helping the University promptly grasp how learners' thinking is "
    "developing and what concerns them;",
    "To show the deep care of the university's leadership for learners.",
]
ORGANISATION_EN = (
    "The dialogue between the university's leadership and learners is held in person. It is "
    "tiered from the grassroots level up to the university level, and delegates are elected to "
    "attend the dialogue at the next level up."
)
REQUIREMENTS_EN = (
    "The above is the Plan for organising the dialogue programme between the university's "
    "leadership and learners for the 2023 - 2024 academic year. The units are required to "
    "implement it seriously."
)
RECIPIENTS_EN = [
    "Party Committee, Leadership Board (for direction);",
    "The units concerned (for implementation);",
    "Filed at: the records office (VT), P. CTCT&SV.",
]
SIGNER_TITLE_EN = "p.p. THE RECTOR\nVICE-RECTOR"
# Section IV, entry 12: the note after the unit's name.
TRAINING_UNITS_NOTE_EN = (
    "including the specialised faculties and institutes, the Faculty of Distance Education, "
    "the Online Training Centre and the Open University Centre in Đà Nẵng"
)

# Section III: TT, Nội dung, Thời gian (as written), from, until, Đơn vị chịu trách nhiệm.
MILESTONES = [
    (
        1,
        "Xây dựng kế hoạch tổ chức đối thoại và xin ý kiến các thành viên BTC",
        "Draw up the plan for organising the dialogue and seek the opinions of the members of "
        "the BTC (Organising Committee)",
        "13 - 19/11/2023",
        date(2023, 11, 13),
        date(2023, 11, 19),
        "Thường trực BTC",
        "Organising Committee standing office",
    ),
    (
        2,
        "Thông báo Kế hoạch tới các đơn vị có liên quan",
        "Announce the Plan to the units concerned",
        "20 - 30/11/2023",
        date(2023, 11, 20),
        date(2023, 11, 30),
        "Thường trực BTC",
        "Organising Committee standing office",
    ),
    (
        3,
        "Họp BTC triển khai Kế hoạch, phân công nhiệm vụ cụ thể để thực hiện",
        "BTC meeting to roll out the Plan and assign specific tasks for carrying it out",
        "07/12/2023",
        date(2023, 12, 7),
        date(2023, 12, 7),
        "Ban tổ chức",
        "Organising Committee",
    ),
    (
        4,
        "Các đơn vị tổ chức đào tạo xây dựng kế hoạch chi tiết triển khai đối thoại cấp cơ sở",
        "The training units draw up detailed plans for carrying out the grassroots-level dialogue",
        "08 - 17/12/2023",
        date(2023, 12, 8),
        date(2023, 12, 17),
        "Các khoa,viện, trung tâm",
        "The faculties, institutes and centres",
    ),
    (
        5,
        "Tiến hành tổ chức đối thoại cấp lớp",
        "Hold the class-level dialogues",
        "18/12/2023 - 21/01/2024",
        date(2023, 12, 18),
        date(2024, 1, 21),
        "Các khoa,viện, trung tâm",
        "The faculties, institutes and centres",
    ),
    (
        6,
        "Giáo vụ/ GVCN/ CVHT các khoa, viện, trung tâm tổng hợp báo cáo thông qua biên bản họp "
        "đối thoại cấp lớp, trình lãnh đạo khoa, viện, trung tâm duyệt.",
        "The academic affairs staff / class advisors / academic advisors of the faculties, "
        "institutes and centres compile a report from the minutes of the class-level dialogue "
        "meetings and submit it to the leaders of the faculty, institute or centre for approval.",
        "22 - 28/01/2024",
        date(2024, 1, 22),
        date(2024, 1, 28),
        "Các khoa,viện, trung tâm",
        "The faculties, institutes and centres",
    ),
    (
        7,
        "Khoa,viện,trung tâm tiến hành tổ chức đối thoại, giải đáp thắc mắc cho người học những "
        "nội dung có liên quan ở cấp đơn vị (công khai trên website của khoa,viện,trung tâm), "
        "những nội dung khác không thuộc thẩm quyền giải quyết của cấp đơn vị, chuyển về Thường "
        "trực Ban tổ chức",
        "The faculty, institute or centre holds its dialogue and answers learners' questions on "
        "the matters that concern the unit level (published on the website of the faculty, "
        "institute or centre); other matters that are outside the unit level's authority are "
        "forwarded to the Organising Committee standing office",
        "26/02 - 17/3/2024",
        date(2024, 2, 26),
        date(2024, 3, 17),
        "Các khoa,viện, trung tâm",
        "The faculties, institutes and centres",
    ),
    (
        8,
        "Tổng hợp ý kiến, đề xuất của người học và gửi cho các đơn vị có liên quan, đề nghị trả "
        "lời, phúc đáp lại thông tin của người học",
        "Consolidate learners' opinions and proposals and send them to the units concerned, "
        "asking them to answer and respond to the learners' information",
        "18 - 24/3/2024",
        date(2024, 3, 18),
        date(2024, 3, 24),
        "Thường trực BTC",
        "Organising Committee standing office",
    ),
    (
        9,
        "Các đơn vị gửi công văn về việc trả lời ý kiến của người học cho Thường trực Ban tổ chức",
        "The units send official letters answering the learners' opinions to the Organising "
        "Committee standing office",
        "25 - 31/3/2024",
        date(2024, 3, 25),
        date(2024, 3, 31),
        "Các đơn vị có liên quan",
        "The units concerned",
    ),
    (
        10,
        "Họp BTC chuẩn bị cho đối thoại cấp Trường",
        "BTC meeting to prepare for the university-level dialogue",
        "03/4/2024",
        date(2024, 4, 3),
        date(2024, 4, 3),
        "Ban Tổ chức",
        "Organising Committee",
    ),
    (
        11,
        "Trình Đảng uỷ - BGH Báo cáo tổng hợp các kiến nghị, đề xuất của người học tại Buổi đối "
        "thoại cấp Trường",
        "Submit to the Party Committee – Leadership Board the consolidated report of the "
        "learners' petitions and proposals at the university-level dialogue session",
        "10/4/2024",
        date(2024, 4, 10),
        date(2024, 4, 10),
        "Thường trực BTC",
        "Organising Committee standing office",
    ),
    (
        12,
        "Rà soát, hoàn thiện, kiểm tra hệ thống cơ sở vật chất, trang thiết bị, kịch bản... cho "
        "chương trình đối thoại cấp Trường",
        "Review, finalise and check the facilities, equipment, script... for the "
        "university-level dialogue programme",
        "11 – 17/4/2024",
        date(2024, 4, 11),
        date(2024, 4, 17),
        "Thường trực BTC",
        "Organising Committee standing office",
    ),
    (
        13,
        "Tổ chức chương trình đối thoại cấp Trường",
        "Hold the university-level dialogue programme",
        "24/4/2024",
        date(2024, 4, 24),
        date(2024, 4, 24),
        "Hiệu trưởng chủ trì",
        "Chaired by the Rector",
    ),
]

# Section IV: No., unit as written, English, note, office unit codes, duties (verbatim).
UNIT_DUTIES = [
    (
        1,
        "Phòng Công tác Công tác chính trị và sinh viên",
        "Department of Political Work and Student Affairs",
        "",
        ["hou-ctctsv"],
        [
            "Là Thường trực Ban tổ chức, có trách nhiệm xây dựng kế hoạch, xin ý kiến lãnh đạo "
            "nhà trường;",
            "Phối hợp với các đơn vị chuẩn bị kịch bản chi tiết chương trình đối thoại cấp trường;",
            "Tổng hợp ý kiến của người học; đề nghị các đơn vị liên quan trả lời bằng văn bản "
            "những vấn đề người học quan tâm để báo cáo Ban giám hiệu;",
            "Xây dựng báo cáo tổng hợp kết quả đối thoại cấp cơ sở trình Hiệu trưởng phê duyệt;",
            "Chuẩn bị tài liệu, thông tin để trả lời về công tác sinh viên, chế độ chính sách, "
            "học bổng khuyến khích học tập cho sinh viên; các vấn đề liên quan đến Bảo hiểm y tế, "
            "Bảo hiểm thân thể; các công tác hỗ trợ sinh viên về khởi nghiệp, đổi mới sáng tạo, "
            "giới thiệu việc làm, đào tạo kỹ năng mềm, ...;",
            "Xây dựng và triển khai phiếu phản hồi ý kiến dành cho nghiên cứu sinh, học viên, "
            "sinh viên đang theo học;",
            "Cử đại diện lãnh đạo tham dự các buổi đối thoại cấp khoa, viện, trung tâm (theo sự "
            "phân công của Ban tổ chức);",
            "Phân công cán bộ tham gia Tổ thư ký.",
        ],
    ),
    (
        2,
        "Phòng Quản trị Cơ sở vật chất",
        "Department of Facilities Management",
        "",
        ["hou-qtcsvc"],
        [
            "Chuẩn bị tài liệu, thông tin trả lời người học về các vấn đề liên quan đến cơ sở vật "
            "chất phục vụ học tập;",
            "Chuẩn bị các điều kiện cần thiết về cơ sở vật chất phục vụ chương trình đối thoại "
            "cấp trường;",
            "Cử đại diện lãnh đạo Phòng tham dự các buổi đối thoại cấp khoa, viện, trung tâm "
            "(theo sự phân công của Ban tổ chức).",
        ],
    ),
    (
        3,
        "Phòng Quản lý Đào tạo",
        "Department of Training Management",
        "",
        ["hou-qldt"],
        [
            "Chuẩn bị tài liệu, thông tin để trả lời người học các vấn đề liên quan đến quy định "
            "trong học tập, cố vấn học tập, xác nhận bằng điểm, các quy chế của Bộ Giáo dục và "
            "Đào tạo, quy định của nhà trường về công tác đào tạo;",
            "Cử đại diện lãnh đạo Phòng tham dự các buổi đối thoại cấp khoa, viện, trung tâm "
            "(theo sự phân công của Ban tổ chức).",
        ],
    ),
    (
        4,
        "Phòng Quản lý khoa học và Đối ngoại",
        "Department of Science Management and External Relations",
        "",
        ["hou-khdn"],
        [
            "Chuẩn bị tài liệu, thông tin để trả lời người học các vấn đề liên quan đến hoạt động "
            "nghiên cứu khoa học, giải thưởng sinh viên hàng năm; vấn đề hỗ trợ học thuật cho các "
            "Câu lạc bộ sinh viên nghiên cứu khoa học;",
            "Cử đại diện lãnh đạo Phòng tham dự các buổi đối thoại cấp khoa, viện, trung tâm "
            "(theo sự phân công của Ban tổ chức).",
        ],
    ),
    (
        5,
        "Phòng Khảo thí và Quản lý chất lượng",
        "Department of Testing and Quality Management",
        "",
        ["hou-ktqlcl"],
        [
            "Chuẩn bị tài liệu, thông tin để trả lời người học các vấn đề liên quan đến công tác "
            "khảo thí, kiểm định chất lượng giáo dục và đào tạo của Nhà trường;",
            "Cử đại diện lãnh đạo Phòng tham dự các buổi đối thoại cấp khoa, viện, trung tâm "
            "(theo sự phân công của Ban tổ chức);",
        ],
    ),
    (
        6,
        "Phòng Kế hoạch - Tài chính",
        "Department of Planning and Finance",
        "",
        ["hou-khtc"],
        [
            "Chuẩn bị tài liệu, thông tin để trả lời người học các vấn đề liên quan đến học phí, "
            "lệ phí, ... của Nhà trường;",
            "Cử đại diện lãnh đạo Phòng tham dự các buổi đối thoại cấp khoa, viện, trung tâm "
            "(theo sự phân công của Ban tổ chức);",
            "Cử cán bộ phối hợp với Phòng Công tác chính trị và sinh viên thực hiện công tác lập "
            "dự trù và thanh quyết toán kinh phí sau khi kết thúc chương trình.",
        ],
    ),
    (
        7,
        "Phòng Thanh tra",
        "Inspection Department",
        "",
        ["hou-thanhtra"],
        [
            "Giám sát việc thực hiện các quy chế, quy định trong nhà trường;",
            "Cử cán bộ tham dự các buổi đối thoại cấp khoa, viện, trung tâm (theo sự phân công "
            "của Ban tổ chức).",
        ],
    ),
    (
        8,
        "Trung tâm Công nghệ Kỹ thuật số",
        "Digital Technology Centre",
        "",
        ["hou-ttcnkts"],
        [
            "Chuẩn bị trang thiết bị cần thiết cho chương trình như: máy chiếu, màn chiếu, "
            "laptop..., đáp ứng đầy đủ mọi điều kiện về công nghệ phục vụ công tác đối thoại các "
            "cấp;",
            "Phối hợp với Phòng Công tác chính trị và sinh viên hoàn thiện hệ thống khảo sát trực "
            "tuyến lấy ý kiến phản hồi của người học đang theo học tại trường;",
            "Cử đại diện lãnh đạo Trung tâm trả lời những câu hỏi liên quan đến đảm bảo chất lượng "
            "hệ thống phục vụ người học được đào tạo theo hình thức trực tuyến.",
        ],
    ),
    (
        9,
        "Trung tâm Truyền thông và Tuyển sinh",
        "Communications and Admissions Centre",
        "",
        ["hou-tttts"],
        [
            "Cử cán bộ ghi lại hình ảnh tại các buổi đối thoại cấp khoa, viện, trung tâm để làm "
            "tư liệu;",
            "Triển khai công tác truyền thông trước, trong và sau sự kiện;",
            "Liên hệ và mời các cơ quan truyền thông, báo chí đến đưa tin về chương trình.",
        ],
    ),
    (
        10,
        "Thư viện",
        "Library",
        "",
        ["hou-thuvien"],
        [
            "Chuẩn bị tài liệu, thông tin để trả lời người học về các vấn đề liên quan đến phục vụ "
            "người học; cung cấp danh mục sách, tài liệu trên Website của Nhà trường.",
        ],
    ),
    (
        11,
        "Đoàn Thanh niên – Hội Sinh viên",
        "Youth Union – Students' Association",
        "",
        ["hou-doan", "hou-hsv"],
        [
            "Ban hành văn bản hướng dẫn các Liên chi đoàn, Liên chi Hội Sinh viên chỉ đạo các chi "
            "đoàn, chi hội phối hợp trong công tác tổ chức buổi toạ đàm lấy ý kiến, thăm dò các "
            "nhóm đối tượng khác nhau để tìm hiểu về tâm tư, nguyện vọng và các sáng kiến của sinh "
            "viên hệ chính quy;",
            "Cử đại diện Ban Chấp hành Liên chi đoàn, Liên chi hội sinh viên tham dự buổi toạ đàm "
            "lấy ý kiến của các chi đoàn, chi hội sinh viên;",
            "Phối hợp với Phòng Công tác chính trị và sinh viên hoàn thành báo cáo tổng hợp ý kiến "
            "chung của sinh viên;",
            "Cử đại diện tham dự các buổi đối thoại cấp khoa, viện, trung tâm (theo sự phân công "
            "của Ban Tổ chức);",
            "Cử sinh viên tình nguyện tham gia hỗ trợ công tác tổ chức và nữ sinh viên làm công "
            "tác lễ tân tại chương trình.",
        ],
    ),
    (
        12,
        "Các đơn vị tổ chức đào tạo",
        "Training units",
        "bao gồm các khoa,viện chuyên ngành, khoa Đào tạo Từ xa, Trung tâm Đào tạo Trực tuyến, "
        "Trung tâm Đại học Mở tại Đà Nẵng",
        [],
        [
            "Xây dựng kế hoạch tổ chức đối thoại với người học và gửi về Thường trực Ban Tổ chức "
            "theo kế hoạch (bản điện tử gửi vào địa chỉ email: ctsv@hou.edu.vn);",
            "Ban lãnh đạo các khoa, viện, ban giám đốc các trung tâm có trách nhiệm phối hợp với "
            "cấp uỷ chủ động trong việc tổ chức đối thoại tại đơn vị và chỉ đạo lấy ý kiến đề xuất "
            "từ các lớp;",
            "Cử cán bộ khoa, viện, trung tâm tham dự buổi đối thoại lấy ý kiến của các Chi đoàn, "
            "Chi hội phối hợp với ban cán sự các lớp tổ chức;",
            "Báo cáo tổng hợp ý kiến từ đối thoại cấp đơn vị (có chữ ký của lãnh đạo đơn vị) và "
            "gửi về Thường trực Ban tổ chức theo đúng kế hoạch đề ra.",
        ],
    ),
]

# Section II.2: the university-level dialogue.
UNIVERSITY_DIALOGUE = {
    "date": date(2024, 4, 24),
    "time_text": "Từ 8h00 - 11h30, ngày 24 tháng 4 năm 2024 (Thứ Tư)",
    "venue": "Trung tâm Thể thao – Văn hoá Quận Hai Bà Trưng",
    "venue_address": "Số 257 phố Bạch Mai – quận Hai Bà Trưng – Hà Nội",
    "chair": "Hiệu trưởng chủ trì",
}
# Section II.2.1: participants by category, as written.
PARTICIPANTS = [
    ("leadership", "Đảng uỷ, Ban giám hiệu"),
    (
        "mass_organisations",
        "Ban Chấp hành Công đoàn, Ban Thường vụ Đoàn Thanh niên, Ban Thư ký Hội sinh viên Nhà "
        "trường",
    ),
    ("unit_leaders", "Đại diện lãnh đạo các khoa, viện, phòng, trung tâm trong toàn Trường"),
    ("teachers", "Đại diện thầy/cô giáo các khoa, viện, trung tâm có đào tạo"),
    ("learner_delegates", "Đại biểu người học được triệu tập"),
    ("organising_committee", "Ban tổ chức"),
    (
        "guest",
        "Đại diện Vụ Giáo dục Đại học, Vụ Giáo dục Chính trị và Công tác học sinh sinh viên - Bộ "
        "Giáo dục và Đào tạo",
    ),
    ("guest", "Đại diện Phòng An ninh chính trị nội bộ (PA03) - Công an Thành phố Hà Nội"),
    ("guest", "Đại diện Đoàn thanh niên và Hội sinh viên Thành phố Hà Nội"),
    ("press", "Báo Quân đội Nhân dân"),
    ("press", "Báo Giáo dục & Thời đại"),
    ("press", "Báo Dân trí"),
    ("press", "Báo Thanh tra"),
    ("press", "Truyền hình kỹ thuật số VTC"),
]

# The routing table, pre-filled from section IV: topic → the department that answers it.
# code, Vietnamese name, English name, unit code, the section IV line it comes from.
TOPICS = [
    ("hoc-phi", "Học phí, lệ phí", "Tuition and fees", "hou-khtc", 6),
    ("co-so-vat-chat", "Cơ sở vật chất phục vụ học tập", "Learning facilities", "hou-qtcsvc", 2),
    (
        "dao-tao",
        "Quy định học tập, cố vấn học tập, xác nhận bảng điểm",
        "Study regulations, academic advising, transcripts",
        "hou-qldt",
        3,
    ),
    (
        "chinh-sach-sv",
        "Công tác sinh viên, chế độ chính sách, học bổng",
        "Student affairs, policy entitlements, scholarships",
        "hou-ctctsv",
        1,
    ),
    (
        "bao-hiem",
        "Bảo hiểm y tế, bảo hiểm thân thể",
        "Health and accident insurance",
        "hou-ctctsv",
        1,
    ),
    (
        "khoi-nghiep",
        "Khởi nghiệp, việc làm, kỹ năng mềm",
        "Start-ups, jobs, soft skills",
        "hou-ctctsv",
        1,
    ),
    (
        "nckh",
        "Nghiên cứu khoa học, giải thưởng sinh viên",
        "Research and student research awards",
        "hou-khdn",
        4,
    ),
    (
        "khao-thi",
        "Khảo thí, kiểm định chất lượng",
        "Examinations and quality accreditation",
        "hou-ktqlcl",
        5,
    ),
    ("thu-vien", "Thư viện, sách và tài liệu", "Library, books and materials", "hou-thuvien", 10),
    (
        "hoc-truc-tuyen",
        "Hệ thống học trực tuyến",
        "Online-learning systems",
        "hou-ttcnkts",
        8,
    ),
    (
        "doan-hoi",
        "Hoạt động Đoàn Thanh niên, Hội Sinh viên",
        "Youth Union and Students' Association activities",
        "hou-doan",
        11,
    ),
    (
        "quy-che",
        "Thực hiện quy chế, quy định trong nhà trường",
        "Compliance with the university's rules",
        "hou-thanhtra",
        7,
    ),
    ("khac", "Vấn đề khác", "Other matters", "", 0),
]


# Section IV in the seed's English rendering: {unit number: [duty, ...]}, in the order above.
DUTIES_EN = {
    int(no): items
    for no, items in json.loads(
        (Path(__file__).parent / "data" / "plan-4402-KH-DHM.duties.en.json").read_text("utf-8")
    )["duties"].items()
}


def plan_english() -> dict:
    """The Plan's English columns, as stored."""
    return {
        "preamble_en": PREAMBLE_EN,
        "purposes_en": "\n".join(PURPOSES_EN),
        "organisation_en": ORGANISATION_EN,
        "requirements_en": REQUIREMENTS_EN,
        "recipients_en": "\n".join(RECIPIENTS_EN),
        "signer_title_en": SIGNER_TITLE_EN,
    }
