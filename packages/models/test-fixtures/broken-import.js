'use strict';
throw new Error('plugin needs an environment variable that is not set');
