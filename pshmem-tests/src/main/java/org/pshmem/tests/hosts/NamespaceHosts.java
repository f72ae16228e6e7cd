package org.pshmem.tests.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test hosts on one machine, for the multi-host tests of the transports: each host a Linux network namespace with
 * its own address on a private bridge (itself in a namespace of its own, so the machine's network is not touched),
 * and an {@code /etc/netns/<host>} whose {@code hosts} file maps every host's name to its address. What runs on
 * the hosts (daemons, launchers, host names, file systems) is the test's.
 *
 * <p>Names: {@code <prefix><pid of the test JVM><separator><3 random characters><role>}, the role {@code a},
 * {@code b}, ... for the hosts and {@code net} for the bridge's namespace, so that {@link #up()} can tell the
 * leftovers of a killed earlier run (its JVM gone) and remove them. Needs root and iproute2 ({@code ip}); when the
 * namespaces cannot be made, {@link #up()} fails loudly: a test never skips for that. {@link #close()} removes
 * everything made, and so does a shutdown hook when the JVM exits first.
 */
public final class NamespaceHosts implements AutoCloseable
{
    private static final Path ETC_NETNS = Path.of("/etc/netns");
    private static final String TAG_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final long LIST_SECONDS = 10;
    private static final long ADD_SECONDS = 15;

    private final String owner;
    private final Pattern runName;
    private final Pattern namespaceName;
    private final String base;
    private final String bridgeNamespace;
    private final String subnet;
    private final List<String> hosts;
    private final List<String> ips;
    private final Map<String, String> netnsIds = new ConcurrentHashMap<>();
    private final List<String> created = new ArrayList<>();
    private final ExitCleanup cleanup;
    private boolean createdEtcNetns;

    /**
     * Names the hosts; makes nothing yet.
     *
     * @param owner     the test, as messages name it.
     * @param prefix    how every name starts: a few letters that say which test it is.
     * @param separator what follows the pid in every name.
     * @param count     how many hosts, at most 26.
     */
    public NamespaceHosts(final String owner, final String prefix, final char separator, final int count)
    {
        this.owner = owner;
        final String run = "^" + Pattern.quote(prefix) + "(\\d+)" + Pattern.quote(String.valueOf(separator));
        runName = Pattern.compile(run);
        namespaceName = Pattern.compile(run + "[a-z0-9]{3}([a-z]|net)$");
        final SecureRandom random = new SecureRandom();
        final StringBuilder tag = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            tag.append(TAG_CHARACTERS.charAt(random.nextInt(TAG_CHARACTERS.length())));
        }
        base = prefix + ProcessHandle.current().pid() + separator + tag;
        bridgeNamespace = base + "net";
        final int third = 1 + random.nextInt(250);
        subnet = "10.77." + third + ".0/24";
        final List<String> names = new ArrayList<>();
        final List<String> addresses = new ArrayList<>();
        for (int h = 0; h < count; h++)
        {
            names.add(base + (char)('a' + h));
            addresses.add("10.77." + third + "." + (h + 1));
        }
        hosts = Collections.unmodifiableList(names);
        ips = Collections.unmodifiableList(addresses);
        cleanup = new ExitCleanup("pshmem-hosts-cleanup", this::removeAll);
    }

    /**
     * Returns how the name of everything of this run starts, for finding its files.
     *
     * @return the start of every name of this run.
     */
    public String base()
    {
        return base;
    }

    /**
     * Returns the hosts' names, which are their network namespaces' names too, host A first.
     *
     * @return the hosts' names.
     */
    public List<String> hosts()
    {
        return hosts;
    }

    /**
     * Returns the hosts' addresses, in the order of {@link #hosts()}.
     *
     * @return the hosts' addresses.
     */
    public List<String> ips()
    {
        return ips;
    }

    /**
     * Returns the hosts' network, such as {@code 10.77.5.0/24}.
     *
     * @return the hosts' network.
     */
    public String subnet()
    {
        return subnet;
    }

    /**
     * Returns a host's network namespace as process links name it.
     *
     * @param host one of {@link #hosts()}.
     * @return its network namespace as {@code /proc/<pid>/ns/net} links name it, {@code net:[<inode>]}, once
     * {@link #up()} made it.
     */
    public String netns(final String host)
    {
        return netnsIds.get(host);
    }

    /**
     * Whether a name is one of this kind of test's, made by a run whose JVM is gone.
     *
     * @param name a name that may start as this test's names do.
     * @return true when it is a killed earlier run's.
     */
    public boolean leftByEndedRun(final String name)
    {
        final Matcher m = runName.matcher(name);
        return m.lookingAt() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
    }

    /**
     * Removes what killed earlier runs left, then makes the bridge and the hosts.
     *
     * @throws AssertionError       when a namespace cannot be made (not root, no iproute2), or a step fails.
     * @throws IOException          when a file of {@code /etc/netns} cannot be written.
     * @throws InterruptedException when interrupted while waiting for a command.
     */
    public void up() throws IOException, InterruptedException
    {
        if (removeStale() && Files.isDirectory(ETC_NETNS))
        {
            try (Stream<Path> entries = Files.list(ETC_NETNS))
            {
                createdEtcNetns = entries.findAny().isEmpty(); // made by that run: removed again when done
            }
        }
        final ShortCommand.Result add = ShortCommand.run(ADD_SECONDS, "ip", "netns", "add", bridgeNamespace);
        if (add.status() != 0)
        {
            throw new AssertionError("\n*** " + owner + " CANNOT RUN: 'ip netns add " + bridgeNamespace +
                "' failed (" + add.describe() + ").\n*** It builds test hosts from Linux network namespaces and " +
                "needs root and iproute2; CI runs it as\n*** root. This is a failure, not a skip: run the tests " +
                "as root on Linux with iproute2 installed.\n");
        }
        created.add(bridgeNamespace);
        ShortCommand.must("ip", "-n", bridgeNamespace, "link", "set", "lo", "up");
        ShortCommand.must("ip", "-n", bridgeNamespace, "link", "add", "br0", "type", "bridge");
        ShortCommand.must("ip", "-n", bridgeNamespace, "link", "set", "br0", "up");
        if (!Files.isDirectory(ETC_NETNS))
        {
            Files.createDirectories(ETC_NETNS);
            createdEtcNetns = true;
        }
        final StringBuilder hostsFile = new StringBuilder("127.0.0.1 localhost\n");
        for (int h = 0; h < hosts.size(); h++)
        {
            // Every host name maps to its routable address, never to 127.x: the other hosts connect back to it.
            hostsFile.append(ips.get(h)).append(' ').append(hosts.get(h)).append('\n');
        }
        for (int h = 0; h < hosts.size(); h++)
        {
            addHost(h, hostsFile.toString());
        }
    }

    private void addHost(final int h, final String hostsFile) throws IOException, InterruptedException
    {
        final String host = hosts.get(h);
        ShortCommand.must("ip", "netns", "add", host);
        created.add(host);
        final String port = "p" + h;
        ShortCommand.must("ip", "link", "add", "eth0", "netns", host, "type", "veth", "peer", "name", port,
            "netns", bridgeNamespace);
        ShortCommand.must("ip", "-n", bridgeNamespace, "link", "set", port, "master", "br0", "up");
        ShortCommand.must("ip", "-n", host, "link", "set", "lo", "up");
        ShortCommand.must("ip", "-n", host, "addr", "add", ips.get(h) + "/24", "dev", "eth0");
        ShortCommand.must("ip", "-n", host, "link", "set", "eth0", "up");
        // ip netns exec puts these over /etc/hosts and /etc/resolv.conf of the processes it starts.
        final Path etc = ETC_NETNS.resolve(host);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("hosts"), hostsFile);
        Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\n"); // no DNS: fail fast
        netnsIds.put(host, "net:[" + Files.getAttribute(Path.of("/run/netns", host), "unix:ino") + "]");
    }

    /** Removes what a killed earlier run (its JVM gone) left behind; says whether there was something. */
    private boolean removeStale() throws IOException, InterruptedException
    {
        boolean found = false;
        for (final String ns : ourNamespaces())
        {
            if (leftByEndedRun(ns))
            {
                System.out.println("[" + owner + "] removing namespace " + ns + " left by an earlier run");
                removeNamespace(ns);
                found = true;
            }
        }
        return found;
    }

    private List<String> ourNamespaces() throws IOException, InterruptedException
    {
        final ShortCommand.Result list = ShortCommand.run(LIST_SECONDS, "ip", "netns", "list");
        return list.output().lines().map(l -> l.split("\\s+")[0])
            .filter(n -> namespaceName.matcher(n).matches()).collect(Collectors.toList());
    }

    /** Kills what still runs in the namespace, then removes it and its {@code /etc/netns} entry. */
    private static void removeNamespace(final String ns) throws IOException, InterruptedException
    {
        final ShortCommand.Result pids = ShortCommand.run(LIST_SECONDS, "ip", "netns", "pids", ns);
        pids.output().lines().map(String::trim).filter(l -> l.matches("\\d+"))
            .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
        ShortCommand.run(ADD_SECONDS, "ip", "netns", "del", ns);
        RunFiles.deleteTree(ETC_NETNS.resolve(ns));
    }

    /**
     * Removes the hosts, the bridge and their {@code /etc/netns} entries, killing what still runs in them.
     * Idempotent. Never throws: it does what it can and says what failed.
     */
    @Override
    public void close()
    {
        cleanup.close();
    }

    private void removeAll()
    {
        final List<String> namespaces = new ArrayList<>(hosts);
        namespaces.add(bridgeNamespace);
        for (final String ns : namespaces)
        {
            try
            {
                if (created.contains(ns) || Files.exists(Path.of("/run/netns", ns)))
                {
                    removeNamespace(ns);
                }
                RunFiles.deleteTree(ETC_NETNS.resolve(ns));
            }
            catch (final IOException | RuntimeException ex)
            {
                System.err.println("[" + owner + "] cleanup of " + ns + " failed: " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (createdEtcNetns)
        {
            ETC_NETNS.toFile().delete(); // only when empty
        }
    }

    /**
     * Lists what is left of this run's namespaces after {@link #close()}.
     *
     * @return namespaces and {@code /etc/netns} entries of this run that still exist.
     */
    public List<String> leftovers()
    {
        final List<String> left = new ArrayList<>();
        try
        {
            for (final String ns : ourNamespaces())
            {
                if (ns.startsWith(base))
                {
                    left.add("namespace " + ns);
                }
            }
        }
        catch (final IOException ex)
        {
            left.add("cannot list namespaces: " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final String host : hosts)
        {
            if (Files.exists(ETC_NETNS.resolve(host)))
            {
                left.add("/etc/netns/" + host);
            }
        }
        return left;
    }
}
