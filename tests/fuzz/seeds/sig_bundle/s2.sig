{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "73496290216b6a5c251d5367fbaabcdbecd75f335e0ac85a82a5f1f774d10817"
    },
    "tlogEntries": []
  },
  "dsseEnvelope": {
    "payload": "ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAiYS50eHQiLAogICAgICAiZGlnZXN0IjogewogICAgICAgICJzaGEyNTYiOiAiNTg5MWI1YjUyMmQ1ZGYwODZkMGZmMGIxMTBmYmQ5ZDIxYmI0ZmM3MTYzYWYzNGQwODI4NmEyZTg0NmY2YmUwMyIKICAgICAgfSwKICAgICAgImFubm90YXRpb25zIjogewogICAgICAgICJhY3R1YWxfaGFzaF9hbGdvcml0aG0iOiAiZmlsZS1zaGEyNTYiCiAgICAgIH0KICAgIH0sCiAgICB7CiAgICAgICJuYW1lIjogImIuYmluIiwKICAgICAgImRpZ2VzdCI6IHsKICAgICAgICAic2hhMjU2IjogIjczY2IzODU4YTY4N2E4NDk0Y2EzMzIzMDUzMDE2MjgyZjNkYWQzOWQ0MmNmNjJjYTRlNzlkZGEyYWFjN2Q5YWMiCiAgICAgIH0sCiAgICAgICJhbm5vdGF0aW9ucyI6IHsKICAgICAgICAiYWN0dWFsX2hhc2hfYWxnb3JpdGhtIjogImZpbGUtc2hhMjU2IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvRGlnZXN0cy92MC4xIiwKICAicHJlZGljYXRlIjogewogICAgInVudXNlZCI6ICJVbnVzZWQsIGp1c3QgcGFzc2VkIGR1ZSB0byBBUEkgcmVxdWlyZW1lbnRzIgogIH0KfQ==",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MGUCMQDby8wp0wI4FeI0j3xFfQrJPW15O2QxtVc3mOM8RTwrKhIvU99GMO/yjFqzUf/ijZ0CMDZ5XVGGM/ue6yKWmWojHJvu75bvj8leLQb+XwpLoAAImkNd+Vh+9MZ38uFtOGSBaA==",
        "keyid": ""
      }
    ]
  }
}