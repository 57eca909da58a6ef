"""Static and class methods as handlers, decorated in the order FasterAPI supports."""

from fasterapi import FasterAPI

app = FasterAPI()


class Catalog:
    PREFIX = "item"

    @app.get("/static/{n}")
    @staticmethod
    def by_number(n: int):
        return {"n": n}

    @app.get("/class")
    @classmethod
    def describe(cls, name: str = "x"):
        return {"class": cls.__name__, "label": f"{cls.PREFIX}-{name}"}
