from fasterapi.cli import exit_after_serving, main

exit_after_serving(main())
