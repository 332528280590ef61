resource "aws_efs_file_system" "build_cache" { # soc2iac-expect: fail
  creation_token   = "ci-build-cache"
  performance_mode = "generalPurpose"

  tags = {
    Name = "ci-build-cache"
  }
}

resource "aws_efs_file_system" "exports" {
  creation_token = "report-exports"
  encrypted      = false # soc2iac-expect: fail
}
