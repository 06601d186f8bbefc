#!/usr/bin/env python
from network.manage import main

if __name__ == "__main__":
    main()
