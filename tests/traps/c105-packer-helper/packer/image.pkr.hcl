build {
  sources = ["source.amazon-ebs.base"]
  provisioner "ansible" {
    playbook_file = "./bake.yml"
  }
}
