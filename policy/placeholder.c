int policy_placeholder_;
