"""bastion.sandbox"""
