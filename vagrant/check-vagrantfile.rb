# Offline check of the Vagrantfile (no Vagrant, no provider, no VM): evaluate
# it against a stub Vagrant.configure that records every setting, then assert
# what matters: three Debian 12 machines with the seed's node IPs on a private
# network, each provisioned by provision-node.sh with its own name, IP and pod
# CIDR and the whole cluster, the repository synced by rsync.
#
#   ruby check-vagrantfile.rb [VAGRANTFILE]
#       exit 0 when it holds, 1 with one line per failure otherwise
#   ruby check-vagrantfile.rb VAGRANTFILE --provision-args NODE
#       print the provisioner arguments of NODE, one per line

EXPECTED = {
  "node1" => { ip: "192.160.1.11", pod_cidr: "10.244.1.0/24" },
  "node2" => { ip: "192.160.1.12", pod_cidr: "10.244.2.0/24" },
  "node3" => { ip: "192.160.1.13", pod_cidr: "10.244.3.0/24" },
}.freeze

# Records attribute writes (x.y = v), reads (x.y: a nested recorder) and
# calls with arguments or a block (x.define "n" do |c| ... end).
class Recorder < BasicObject
  Call = ::Struct.new(:name, :args, :opts, :block_recorders)

  def initialize
    @attrs = {}
    @calls = []
  end

  def __attrs = @attrs
  def __calls = @calls
  def __calls_named(name) = @calls.select { |c| c.name == name }

  def method_missing(name, *args, **opts, &blk)
    key = name.to_s
    if key.end_with?("=")
      @attrs[key.chomp("=")] = args.first
    elsif args.empty? && opts.empty? && blk.nil?
      @attrs[key] ||= ::Recorder.new
    else
      recorders = []
      if blk
        recorders = ::Array.new([blk.arity, 1].max) { ::Recorder.new }
        blk.call(*recorders)
      end
      @calls << ::Recorder::Call.new(key, args, opts, recorders)
      nil
    end
  end

  def respond_to_missing?(*) = true
end

module Vagrant
  @configs = []
  class << self
    attr_reader :configs

    def configure(version)
      raise "Vagrant.configure(#{version.inspect}): want \"2\"" unless version.to_s == "2"

      root = Recorder.new
      yield root
      @configs << root
    end
  end
end

path = ARGV[0] || File.join(__dir__, "Vagrantfile")
want_args_of = ARGV[1] == "--provision-args" ? ARGV[2] : nil
Dir.chdir(File.dirname(File.expand_path(path))) { load File.expand_path(path) }

failures = []
check = ->(ok, message) { failures << message unless ok }

abort "check-vagrantfile: #{path} has no Vagrant.configure block" if Vagrant.configs.empty?
check.(Vagrant.configs.size == 1, "want one Vagrant.configure block, found #{Vagrant.configs.size}")
config = Vagrant.configs.first

vm = config.vm
check.(vm.__attrs["box"] == "debian/bookworm64", "box is #{vm.__attrs['box'].inspect}, want \"debian/bookworm64\"")

synced = vm.__calls_named("synced_folder").find { |c| c.args[0] == ".." }
check.(!synced.nil?, "the repository (\"..\") is not a synced folder")
repo_in_vm = synced && synced.args[1]
check.(synced.nil? || synced.opts[:type] == "rsync", "the repository's synced folder is not type rsync")

providers = vm.__calls_named("provider").map { |c| c.args[0].to_s }
%w[libvirt virtualbox].each { |p| check.(providers.include?(p), "no settings for provider #{p}") }

defines = vm.__calls_named("define")
names = defines.map { |d| d.args[0].to_s }
check.(names == EXPECTED.keys, "machines #{names.inspect}, want #{EXPECTED.keys.inspect}")

cluster = EXPECTED.flat_map { |n, e| ["--node", "#{n},#{e[:ip]},#{e[:pod_cidr]}"] }
provision_args = {}
defines.each do |d|
  name = d.args[0].to_s
  want = EXPECTED[name] or next
  node = d.block_recorders.first
  nvm = node.vm
  check.(nvm.__attrs["hostname"] == name, "#{name}: hostname #{nvm.__attrs['hostname'].inspect}")

  nets = nvm.__calls_named("network").select { |c| c.args[0].to_s == "private_network" }
  ips = nets.map { |c| c.opts[:ip] }
  check.(ips == [want[:ip]], "#{name}: private network IPs #{ips.inspect}, want [#{want[:ip].inspect}]")

  shells = nvm.__calls_named("provision").select { |c| [c.args[0], c.opts[:type]].map(&:to_s).include?("shell") }
  check.(shells.size == 1, "#{name}: #{shells.size} shell provisioners, want 1")
  shell = shells.first or next
  check.(shell.opts[:path] == "provision-node.sh", "#{name}: provisioner path #{shell.opts[:path].inspect}")
  args = Array(shell.opts[:args]).map(&:to_s)
  provision_args[name] = args
  opt = ->(flag) { (i = args.index(flag)) ? args[i + 1] : nil }
  check.(opt.("--name") == name, "#{name}: provisioned with --name #{opt.('--name').inspect}")
  check.(opt.("--ip") == want[:ip], "#{name}: provisioned with --ip #{opt.('--ip').inspect}")
  check.(opt.("--pod-cidr") == want[:pod_cidr], "#{name}: provisioned with --pod-cidr #{opt.('--pod-cidr').inspect}")
  check.(opt.("--repo") == repo_in_vm, "#{name}: provisioned with --repo #{opt.('--repo').inspect}, the repository is synced to #{repo_in_vm.inspect}")
  nodes = args.each_index.select { |i| args[i] == "--node" }.flat_map { |i| args[i, 2] }
  check.(nodes == cluster, "#{name}: cluster #{nodes.inspect}, want #{cluster.inspect}")
end

if want_args_of
  args = provision_args[want_args_of] or abort "check-vagrantfile: no machine #{want_args_of}"
  puts args
  exit 0
end

if failures.empty?
  puts "check-vagrantfile: #{names.join(', ')} on #{EXPECTED.values.map { |e| e[:ip] }.join(', ')}: ok"
else
  failures.each { |f| warn "check-vagrantfile: #{f}" }
  exit 1
end
