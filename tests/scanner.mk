# tests for scanner
