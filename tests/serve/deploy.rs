//! `deploy/` agrees with the server: the Deployment's arguments are
//! flags of `authgate serve --help` and start the real server (on the
//! ConfigMap's rules, on port 0); its probe paths answer 200; probe,
//! container, Service and Dockerfile ports agree; the HorizontalPodAutoscaler
//! scales the Deployment; the rules directory is the ConfigMap's mount.
//! There is no container runtime here, so the manifests are read, not
//! applied.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::BIN;

fn manifests() -> Vec<Yaml> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes");
    let mut documents = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("deploy/kubernetes")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        documents.extend(YamlLoader::load_from_str(&text).expect("valid YAML"));
    }
    documents
}

fn kind<'a>(documents: &'a [Yaml], kind: &str) -> &'a Yaml {
    documents
        .iter()
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} in deploy/kubernetes"))
}

fn strings(yaml: &Yaml) -> Vec<String> {
    yaml.as_vec()
        .expect("a list")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

fn get(address: &str, path: &str) -> u16 {
    let mut stream = TcpStream::connect(address).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .expect("sends");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("reads");
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status")
}

#[test]
fn the_manifests_agree_with_the_server() {
    let documents = manifests();
    let deployment = kind(&documents, "Deployment");
    let spec = &deployment["spec"]["template"]["spec"];
    let container = &spec["containers"][0];
    let args = strings(&container["args"]);
    assert_eq!(args.first().map(String::as_str), Some("serve"));

    // Every flag is one `serve --help` documents.
    let help = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in args.iter().filter(|a| a.starts_with("--")) {
        assert!(
            help.contains(flag.as_str()),
            "`{flag}` is not in serve --help"
        );
    }
    assert!(args.iter().any(|a| a == "--watch"));

    // The rules are the ConfigMap's mount.
    let mount = &container["volumeMounts"][0];
    let volume = spec["volumes"]
        .as_vec()
        .expect("volumes")
        .iter()
        .find(|v| v["name"] == mount["name"])
        .expect("the mounted volume");
    let configmap = kind(&documents, "ConfigMap");
    assert_eq!(volume["configMap"]["name"], configmap["metadata"]["name"]);
    let mount_path = mount["mountPath"].as_str().expect("a path");
    assert!(
        args.iter().any(|a| a == mount_path),
        "serve reads the mount"
    );

    // Ports: --listen, the container, the probes, the Service, the image.
    let listen = args
        .iter()
        .position(|a| a == "--listen")
        .and_then(|i| args.get(i + 1))
        .expect("--listen ADDR");
    let port = listen.rsplit(':').next().expect("a port");
    let container_port = &container["ports"][0];
    assert_eq!(
        container_port["containerPort"]
            .as_i64()
            .map(|p| p.to_string())
            .as_deref(),
        Some(port)
    );
    let port_name = container_port["name"].as_str().expect("a named port");
    let mut probes = Vec::new();
    for probe in ["readinessProbe", "livenessProbe"] {
        let get = &container[probe]["httpGet"];
        assert_eq!(get["port"].as_str(), Some(port_name), "{probe}");
        probes.push(get["path"].as_str().expect("a path").to_owned());
    }
    let service = kind(&documents, "Service");
    assert_eq!(
        service["spec"]["ports"][0]["targetPort"].as_str(),
        Some(port_name)
    );
    assert_eq!(
        service["spec"]["selector"],
        deployment["spec"]["selector"]["matchLabels"]
    );
    // Both images, the one compiled inside and the release's static
    // binary: the same port, command and unprivileged user.
    let mut commands = Vec::new();
    for name in ["deploy/Dockerfile", "deploy/release.Dockerfile"] {
        let dockerfile = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(dockerfile.contains(&format!("EXPOSE {port}")), "{name}");
        let user = dockerfile
            .lines()
            .filter_map(|line| line.strip_prefix("USER "))
            .next_back()
            .unwrap_or_else(|| panic!("{name} sets no USER: it would run as root"));
        let uid = user.split(':').next().unwrap_or(user);
        assert!(uid != "0" && uid != "root", "{name} runs as {user}");
        let cmd = dockerfile.lines().rfind(|line| line.starts_with("CMD "));
        commands.push(
            cmd.unwrap_or_else(|| panic!("{name} has no CMD"))
                .to_owned(),
        );
    }
    assert_eq!(commands[0], commands[1], "both images run the same command");
    let hpa = kind(&documents, "HorizontalPodAutoscaler");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["kind"].as_str(),
        Some("Deployment")
    );

    // The real server with these arguments, on the ConfigMap's rules and
    // port 0, answers the probes.
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = configmap["data"].as_hash().expect("data");
    for (name, text) in data {
        let (name, text) = (name.as_str().expect("a name"), text.as_str().expect("text"));
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a == mount_path {
                dir.path().display().to_string()
            } else if a == listen {
                "127.0.0.1:0".to_owned()
            } else {
                a.clone()
            }
        })
        .collect();
    let mut child = Command::new(BIN)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads");
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("the Deployment's args start a server: {line:?}"))
        .to_owned();
    for path in &probes {
        assert_eq!(get(&address, path), 200, "{path}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
