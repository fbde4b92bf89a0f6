# agent/signing/: OpenSSF model signatures (issue 17): `picklewarden
# verify` and the [signing] decision of scan --quarantine and watch.
agent_libagent_a_SOURCES += \
	agent/signing/sig_limits.h \
	agent/signing/sig_encode.c agent/signing/sig_encode.h \
	agent/signing/sig_bundle.c agent/signing/sig_bundle.h \
	agent/signing/sig_crypto.c agent/signing/sig_crypto.h \
	agent/signing/sig_model.c agent/signing/sig_model.h \
	agent/signing/sig_verify.c agent/signing/sig_verify.h \
	agent/signing/sig_decide.c agent/signing/sig_decide.h \
	agent/signing/cmd_verify.c
