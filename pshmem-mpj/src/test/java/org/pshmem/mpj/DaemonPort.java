package org.pshmem.mpj;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Whether an MPJ Express daemon answers on this host's loopback address, at its fixed port. */
final class DaemonPort
{
    private DaemonPort()
    {
    }

    static boolean listening()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", MpjMain.DAEMON_PORT), 500);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
