package org.adatoken3d.cli;

import java.io.PrintWriter;
import java.util.List;
import org.adatoken3d.kernels.backend.BackendProvider;
import org.adatoken3d.kernels.backend.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List the devices --device can select.",
                "",
                "One line per device, as NAME[:INDEX]  DESCRIPTION; for a backend with no usable device, the reason "
                + "(no driver, no platform)."})
final class DevicesCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        boolean tornado = false;
        for (BackendProvider p : Backends.providers()) {
            tornado |= p.name().equals(Backends.TORNADO);
            List<String> devices = p.devices();
            if (devices.isEmpty()) {
                out.printf("%-10s (none: %s)%n", p.name(), p.unavailableReason());
            }
            for (int i = 0; i < devices.size(); i++) {
                String name = p.name().equals("cpu") ? "cpu" : p.name() + ":" + i;
                out.printf("%-10s %s%n", name, devices.get(i));
            }
        }
        if (!tornado) {
            out.printf("%-10s (none: not in this build; %s)%n", Backends.TORNADO, Backends.TORNADO_HINT);
        }
        out.flush();
    }
}
