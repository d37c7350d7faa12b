from pgproof.cli.entry import main

main()
