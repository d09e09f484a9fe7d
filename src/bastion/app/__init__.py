"""bastion.app"""
