import factory

from office.models import Assignment, Person, Position, Relation, Unit, UnitKind


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = UnitKind.DEPARTMENT
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Phòng số {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    title = "TS."
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Người {n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Trưởng phòng {n}")
    is_leadership = True


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    relation = Relation.IN_CHARGE
    unit = factory.SubFactory(UnitFactory)
