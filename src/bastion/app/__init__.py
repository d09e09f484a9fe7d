"""bastion.app: the reactive app framework (runtime, elements, AppTest). See ARCHITECTURE.md."""
