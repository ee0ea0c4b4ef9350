"""Demo log-ins, one per role. The README lists them; `loaddemo` creates them."""

from .roles import Role

DEMO_PASSWORD = "demo12345"

# username, full name, roles
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", []),  # superuser
    ("applicant", "Nguyễn Văn An", [Role.APPLICANT]),
    ("mtt_office", "Phạm Thu Hà", [Role.MTT_OFFICE]),
    ("mtt_technician", "Trần Quốc Bảo", [Role.MTT_TECHNICIAN]),
    ("mtt_manager", "Lê Minh Châu", [Role.MTT_ACCOUNT_MANAGER]),
    ("mtt_head", "Đỗ Thị Dung", [Role.MTT_OFFICE_HEAD]),
    ("committee", "Vũ Hoàng Giang", [Role.DIALOGUE_COMMITTEE]),
    ("unit_leader", "Bùi Thị Hạnh", [Role.DIALOGUE_UNIT]),
    ("unit_staff", "Lý Thu Trang", [Role.DIALOGUE_UNIT]),
    ("responder", "Ngô Văn Khoa", [Role.DIALOGUE_RESPONDER]),
    ("leader", "Hoàng Văn Long", [Role.LEADERSHIP]),
    ("learner", "Đặng Thị Mai", [Role.LEARNER]),
    ("directory_admin", "Phan Văn Nam", [Role.DIRECTORY_ADMIN]),
    ("ops", "Trịnh Văn Vận", [Role.OPERATIONS]),
]


def load(stdout=None):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .roles import sync_roles

    sync_roles()
    User = get_user_model()
    for username, full_name, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username}@demo.portal.local"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.save()
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        if stdout and created:
            stdout.write(f"  user {username}")
