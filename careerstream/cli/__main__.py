from careerstream.cli.main import main

main()
