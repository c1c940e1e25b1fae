"""Per-service pieces of the AWS service integration (integrations/aws_services.py): what one service's
protocol needs beyond the shared JSON and query protocols."""
