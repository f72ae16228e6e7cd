package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.net.InetAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The rewrite of MPJ Express's listening calls, on the classes of the installed MPJ Express: each call is found
 * once and rewritten, the result links (the JVM verifies it), a class without the call is refused, and the
 * listening address refuses the wildcard and addresses of other hosts.
 */
class ListenPatchTest
{
    private static final Map<ListenPatch.Group, String> JARS = Map.of(
        ListenPatch.NIODEV, "mpj.jar",
        ListenPatch.DAEMON, "daemon.jar",
        ListenPatch.STARTER, "starter.jar");

    private static Path lib() throws IOException
    {
        return MpjInstallation.home(MpjInstallation.cacheDir()).resolve("lib");
    }

    private static URL[] jars(final String first) throws IOException
    {
        final List<String> names = List.of(first, "mpj.jar", "runtimecommon.jar", "log4j-1.2.jar", "commons-io.jar",
            "commons-codec.jar");
        final URL[] urls = new URL[names.size()];
        for (int i = 0; i < urls.length; i++)
        {
            urls[i] = lib().resolve(names.get(i)).toUri().toURL();
        }
        return urls;
    }

    private static byte[] classBytes(final URLClassLoader loader, final String className) throws IOException
    {
        try (InputStream in = loader.getResourceAsStream(className.replace('.', '/') + ".class"))
        {
            return in.readAllBytes();
        }
    }

    @Test
    void everyListeningCallOfMpjExpressIsRewrittenAndTheClassesLink() throws Exception
    {
        for (final Map.Entry<ListenPatch.Group, String> group : JARS.entrySet())
        {
            // A loader of MPJ's jars alone per group (not this JVM's, which has MPJ's API jar): the rewritten classes
            // are defined there, beside MPJ's others, and linked (verified) without being run.
            try (URLClassLoader loader = new URLClassLoader(jars(group.getValue()), ClassLoader.getPlatformClassLoader()))
            {
                final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(
                    Class.forName(group.getKey().anchor(), false, loader), MethodHandles.lookup());
                for (final ListenPatch.Target target : group.getKey().targets())
                {
                    final byte[] original = classBytes(loader, target.className());
                    final byte[] rewritten = ListenPatch.rewrite(original, target);
                    final Class<?> defined = lookup.defineClass(rewritten);
                    assertEquals(target.className(), defined.getName());
                    // Rewritten once, the call is gone: a second rewrite finds none and refuses.
                    final IllegalStateException again = assertThrows(IllegalStateException.class,
                        () -> ListenPatch.rewrite(rewritten, target));
                    assertTrue(again.getMessage().contains("has 0 call(s) of"), again.getMessage());
                }
            }
        }
    }

    @Test
    void aClassWithoutTheCallIsRefusedNamingIt() throws Exception
    {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {lib().resolve("mpj.jar").toUri().toURL()}, null))
        {
            final ListenPatch.Target notThere = new ListenPatch.Target("xdev.niodev.ConfigReader",
                ListenPatch.Call.SERVER_SOCKET);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> ListenPatch.rewrite(classBytes(loader, notThere.className()), notThere));
            assertEquals("MPJ Express's xdev.niodev.ConfigReader is not the class of MPJ Express 0.44 that pshmem " +
                "knows: it has 0 call(s) of java/net/ServerSocket.<init>(I)V (0 in a form pshmem can rewrite), not 1; " +
                "refusing to run it listening on every interface", ex.getMessage());
        }
    }

    @Test
    void theListeningAddressIsOneOfThisHostNeverTheWildcard() throws Exception
    {
        assertEquals(InetAddress.getByName("127.0.0.1"), ListenAddress.resolve("127.0.0.1"));
        assertTrue(!ListenAddress.resolve(null).isAnyLocalAddress());
        for (final String wildcard : List.of("0.0.0.0", "::"))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ListenAddress.resolve(wildcard));
            assertTrue(ex.getMessage().contains("the wildcard address: MPJ Express would listen on every interface"),
                ex.getMessage());
        }
        final IllegalStateException other = assertThrows(IllegalStateException.class,
            () -> ListenAddress.resolve("198.51.100.7"));
        assertEquals("pshmem.listenAddress or PSHMEM_LISTEN_ADDRESS is '198.51.100.7' (198.51.100.7), which is not an " +
            "address of this host", other.getMessage());
    }

    @Test
    void ranksOnOneHostAreToldToExchangeOnLoopback()
    {
        assertEquals("#temp line;#Number of Processes;2;#Protocol Switch Limit;131072;" +
            "#Entry, HOST_NAME/IP@READPORT@WRITEPORT@RANK@DEBUGPORT;127.0.0.1@0@0@0@0;127.0.0.1@0@0@1@0;" +
            "#Server Name;127.0.0.1;#Server Port;4711",
            HostRanks.configuration(2, InetAddress.getLoopbackAddress(), 4711));
    }
}
