import HAProxyCore

print("HAProxy version 2.6.0")
