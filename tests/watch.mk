# tests for watch
