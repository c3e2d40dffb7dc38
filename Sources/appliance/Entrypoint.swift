import Commands

Appliance.main()
