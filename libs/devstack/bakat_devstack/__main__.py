from bakat_devstack.cli import main

raise SystemExit(main())
