from careerstream.cli.main import main

# Guarded: a replay with --processes spawns processes that import the main module again.
if __name__ == "__main__":
    main()
