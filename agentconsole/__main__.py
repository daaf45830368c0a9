from agentconsole.cli import main

raise SystemExit(main())
