"""Officers (petugas): queues and decisions by region, TOTP sign-in, registry
import and export, audit log and dashboard (issue #5)."""
