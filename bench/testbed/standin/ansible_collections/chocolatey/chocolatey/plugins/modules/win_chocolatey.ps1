#!powershell
# Name-only stand-in for the syntax check of the testbed's fleet: the testbed has no Windows host.
throw "win_chocolatey is a name-only stand-in (ansopt testbed); it never runs"
