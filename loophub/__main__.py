from loophub.cli import main

main()
