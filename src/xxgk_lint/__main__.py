from xxgk_lint.cli import main

main()
