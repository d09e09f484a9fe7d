"""bastion.server"""
