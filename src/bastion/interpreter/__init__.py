"""bastion.interpreter"""
