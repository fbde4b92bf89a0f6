# tests for containers
