from redospec.cli import main

raise SystemExit(main())
