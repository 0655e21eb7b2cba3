from fakeapp import make_app


def app_from_env():  # type: ignore[no-untyped-def]
    return make_app("placement")
