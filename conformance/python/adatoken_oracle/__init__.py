"""AdaToken-3D conformance oracle: an independent PyTorch reference for the decoder, the AdaToken
gating of DESIGN.md section 2.1, the LLaVA-3D projector and 3D position embedding, and the fixture
generator whose format conformance/FORMAT.md specifies."""

FORMAT_VERSION = "adatoken3d-conformance/1"
