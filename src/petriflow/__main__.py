from petriflow.cli import main

raise SystemExit(main())
