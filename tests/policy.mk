# tests for policy
