from accalmie.cli import main

main()
