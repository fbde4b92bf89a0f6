{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {},
    "tlogEntries": []
  },
  "dsseEnvelope": {
    "payload": "ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAibSIsCiAgICAgICJkaWdlc3QiOiB7CiAgICAgICAgInNoYTI1NiI6ICI1ZjQxZTk2ZDdiZDFkZDMzZjY1YTc0Yzk0M2JkNjI4ZWM4ZTc0Nzg3ZWI3ZTExNGNjYzY0Y2U2ODFlZWM0NDc5IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLAogICJwcmVkaWNhdGUiOiB7CiAgICAic2VyaWFsaXphdGlvbiI6IHsKICAgICAgIm1ldGhvZCI6ICJmaWxlcyIsCiAgICAgICJoYXNoX3R5cGUiOiAic2hhMjU2IiwKICAgICAgImFsbG93X3N5bWxpbmtzIjogZmFsc2UsCiAgICAgICJpZ25vcmVfcGF0aHMiOiBbCiAgICAgICAgIi5naXQiLAogICAgICAgICIuZ2l0YXR0cmlidXRlcyIsCiAgICAgICAgIi5naXRodWIiLAogICAgICAgICIuZ2l0aWdub3JlIgogICAgICBdCiAgICB9LAogICAgInJlc291cmNlcyI6IFsKICAgICAgewogICAgICAgICJuYW1lIjogImEudHh0IiwKICAgICAgICAiYWxnb3JpdGhtIjogInNoYTI1NiIsCiAgICAgICAgImRpZ2VzdCI6ICI1ODkxYjViNTIyZDVkZjA4NmQwZmYwYjExMGZiZDlkMjFiYjRmYzcxNjNhZjM0ZDA4Mjg2YTJlODQ2ZjZiZTAzIgogICAgICB9LAogICAgICB7CiAgICAgICAgIm5hbWUiOiAiYi5iaW4iLAogICAgICAgICJhbGdvcml0aG0iOiAic2hhMjU2IiwKICAgICAgICAiZGlnZXN0IjogIjczY2IzODU4YTY4N2E4NDk0Y2EzMzIzMDUzMDE2MjgyZjNkYWQzOWQ0MmNmNjJjYTRlNzlkZGEyYWFjN2Q5YWMiCiAgICAgIH0KICAgIF0KICB9Cn0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MIGIAkIBgf3h9BerLAKZrn/Lxmj5heFZjOmv5/vxy83mhspKE1aOiAN6gHPdBBFO8aeyxcdD+67e2sORZmdij0qG4I6tcV0CQgCWp+MImrjYiT0Kd/y7xt6joaqNKiMZG05FJdVgA4E2Usb6hO/rK/cMkfqgySU5RvjIneX8XGeKcaqShJDnBBqLuQ==",
        "keyid": ""
      }
    ]
  }
}