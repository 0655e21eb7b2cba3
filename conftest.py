pytest_plugins = ["bakat_devstack.pytest_plugin"]
